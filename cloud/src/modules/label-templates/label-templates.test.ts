import { expect, it } from 'vitest';
import { call, createOrgWithToken, describeEachBackend, ok } from '../../../test/helpers.ts';

describeEachBackend('label templates', (cloud) => {
  it('counts a revision for new ZPL only, and keeps codes unique per plant', async () => {
    const org = await createOrgWithToken(cloud());
    const template = await ok(cloud(), 'POST', '/api/v1/label-templates', org.token, {
      plantId: org.plantId,
      code: 'carton',
      name: 'Carton label',
      zpl: '^XA^FO50,50^BCN,100^FD{{serial}}^FS^XZ',
    });
    expect(template.revision).toBe(1);
    const renamed = await ok(cloud(), 'PATCH', `/api/v1/label-templates/${template.id}`, org.token, {
      name: 'Carton label (EU)',
      zpl: template.zpl,
    });
    expect(renamed).toMatchObject({ name: 'Carton label (EU)', revision: 1 });
    const redrawn = await ok(cloud(), 'PATCH', `/api/v1/label-templates/${template.id}`, org.token, {
      zpl: '^XA^FO40,40^BCN,120^FD{{serial}}^FS^XZ',
    });
    expect(redrawn.revision).toBe(2);
    const duplicate = await call(cloud(), 'POST', '/api/v1/label-templates', {
      token: org.token,
      body: { plantId: org.plantId, code: 'carton', name: 'Again', zpl: '^XA^XZ' },
    });
    expect(duplicate.status).toBe(409);
    const byCode = await ok(cloud(), 'GET', '/api/v1/label-templates?code=carton', org.token);
    expect(byCode.items.map((item: { id: string }) => item.id)).toEqual([template.id]);
  });
});
