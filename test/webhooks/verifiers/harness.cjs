// Feeds one delivered webhook to the API reference's Node verifier (seed_verify.cjs, unchanged),
// as an Express app with express.json() would: headers lower-cased, body parsed.
const fs = require('fs');
const path = require('path');
const source = fs.readFileSync(path.join(__dirname, 'seed_verify.cjs'), 'utf8');
const verifyWebhook = new Function('require', `${source}\nreturn verifyWebhook;`)(require);
const req = {
  headers: { 'phonevoice-signature': process.env.PV_SIGNATURE, 'content-type': 'application/json' },
  body: JSON.parse(fs.readFileSync(process.env.PV_BODY_FILE, 'utf8')),
};
let ok;
try { ok = verifyWebhook(req, process.env.PV_SECRET); } catch { ok = false; }
process.stdout.write(String(ok));
