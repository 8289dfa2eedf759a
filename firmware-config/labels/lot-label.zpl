^XA
^CI0
^PW812
^LL406
^LH0,0
^FO30,20^A0N,34,34^FDLot received^FS
^FO30,64^A0N,26,26^FH_^FDGTIN {{gtin}}^FS
^FO30,96^A0N,26,26^FH_^FDLot {{lot}}^FS
^FO30,128^A0N,26,26^FH_^FDStation {{station}}  {{receivedAt}}^FS
^BY2,3,100
^FO30,170^BCN,100,Y,N,N,D^FH_^FD(01){{gtin}}(10){{lot}}^FS
^PQ{{copies}}
^XZ
