// `npm start` until the console page exists: validate and sign one request of each operation with
// a demo key pair and print what would be sent. Nothing is sent anywhere.
import { signRequest, validateParams, CasterError } from 'aliyun-caster';

const demo = {
  accessKeyId: 'LTAI5tDemoAccessKeyId',
  accessKeySecret: 'demo-secret-not-a-real-key',
  regionId: 'cn-shanghai',
};

const requests = [
  {
    action: 'StartCasterScene',
    params: { CasterId: 'LIVEPRODUCER_POST-cn-demo0001', SceneId: 'demo-pvw-scene-1' },
  },
  {
    action: 'AddCasterVideoResource',
    params: {
      CasterId: 'LIVEPRODUCER_POST-cn-demo0001',
      ResourceName: 'Opening clip',
      LocationId: 'RV01',
      VodUrl: 'https://example.com/media/opening.mp4',
      BeginOffset: 1000,
      EndOffset: 10000,
      RepeatNum: -1,
    },
  },
];

for (const { action, params } of requests) {
  const signed = signRequest({ ...demo, action, params });
  console.log(`\n${action}`);
  console.log(`  ${signed.method} ${signed.url}`);
  for (const [name, value] of Object.entries(signed.headers)) console.log(`  ${name}: ${value}`);
  if (signed.body) console.log(`  body: ${signed.body}`);
  console.log(`  string to sign: ${signed.stringToSign}`);
  console.log(`  signature: ${signed.signature}`);
}

// What a form sees as the user types: every problem at once, with the server's codes.
const problems = validateParams('AddCasterVideoResource', {
  CasterId: 'LIVEPRODUCER_POST-cn-demo0001',
  LocationId: 'RV00',
  VodUrl: 'https://example.com/media/opening.avi',
});
console.log('\nvalidateParams on a bad AddCasterVideoResource:');
for (const { field, code, message } of problems) console.log(`  ${field}: ${code}: ${message}`);

try {
  signRequest({ ...demo, action: 'StartCasterScene', params: { CasterId: 'LIVEPRODUCER_POST-cn-demo0001' } });
} catch (error) {
  if (!(error instanceof CasterError)) throw error;
  console.log(`\nsignRequest without a SceneId throws CasterError ${error.code} (${error.kind}, field ${error.field})`);
}
