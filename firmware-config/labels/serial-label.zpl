^XA
^CI0
^PW812
^LL406
^LH0,0
^FO30,20^A0N,34,34^FDSerial number^FS
^FO30,64^A0N,30,30^FH_^FD{{serial}}^FS
^FO30,104^A0N,24,24^FH_^FDGTIN {{gtin}}  WO {{workOrder}}^FS
^FO30,150^BXN,6,200,,,,_^FH\^FD_101{{gtin}}21{{serial}}^FS
^FO420,140^BQN,2,5^FH\^FDMA,https://id.unison.example/01/{{gtin}}/21/{{serial}}^FS
^XZ
