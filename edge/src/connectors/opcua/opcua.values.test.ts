import { DataType, DataValue, StatusCodes, Variant } from 'node-opcua-client';
import { describe, expect, it } from 'vitest';
import { fromDataValue, qualityOf, resolveNodeId } from './opcua.values.ts';

describe('opcua values', () => {
  it('resolves namespace-URI node ids against the NamespaceArray', () => {
    const namespaces = ['http://opcfoundation.org/UA/', 'urn:server', 'urn:plc'];
    expect(resolveNodeId('nsu=urn:plc;s=Press1.Speed', namespaces)).toBe('ns=2;s=Press1.Speed');
    expect(resolveNodeId('ns=3;i=1001', namespaces)).toBe('ns=3;i=1001');
    expect(() => resolveNodeId('nsu=urn:gone;s=X', namespaces)).toThrow(/urn:gone/);
  });

  it('maps values, status codes and timestamps', () => {
    const sourceTimestamp = new Date('2025-01-01T00:00:00Z');
    const good = new DataValue({
      value: new Variant({ dataType: DataType.Double, value: 1.5 }),
      sourceTimestamp,
    });
    expect(fromDataValue(good, 0)).toEqual({ value: 1.5, quality: 'good', tsMs: sourceTimestamp.getTime() });

    const uncertain = new DataValue({
      value: new Variant({ dataType: DataType.String, value: 'x' }),
      statusCode: StatusCodes.UncertainLastUsableValue,
    });
    expect(fromDataValue(uncertain, 7)).toEqual({ value: 'x', quality: 'uncertain', tsMs: 7 });

    const bad = new DataValue({ statusCode: StatusCodes.BadDeviceFailure });
    expect(fromDataValue(bad, 7)).toMatchObject({ value: null, quality: 'bad' });

    const nan = new DataValue({ value: new Variant({ dataType: DataType.Double, value: Number.NaN }) });
    expect(fromDataValue(nan, 7)).toMatchObject({ value: null, quality: 'bad' });

    const flag = new DataValue({ value: new Variant({ dataType: DataType.Boolean, value: false }) });
    expect(fromDataValue(flag, 7)).toMatchObject({ value: false, quality: 'good' });
  });

  it('maps every status code by its severity family', () => {
    expect(qualityOf(StatusCodes.Good)).toBe('good');
    expect(qualityOf(StatusCodes.GoodClamped)).toBe('good');
    expect(qualityOf(StatusCodes.UncertainSensorNotAccurate)).toBe('uncertain');
    expect(qualityOf(StatusCodes.UncertainSubNormal)).toBe('uncertain');
    expect(qualityOf(StatusCodes.BadCommunicationError)).toBe('bad');
    expect(qualityOf(StatusCodes.BadWaitingForInitialData)).toBe('bad');
  });
});
