const crypto = require('crypto');

function verifyWebhook(req, secret) {
  const signature = req.headers['phonevoice-signature'];
  const [t, v1] = signature.split(',').map(p => p.split('=')[1]);
  
  const payload = `${t}.${JSON.stringify(req.body)}`;
  const computeParams = crypto
    .createHmac('sha256', secret)
    .update(payload)
    .digest('hex');
    
  return crypto.timingSafeEqual(
    Buffer.from(v1), 
    Buffer.from(computeParams)
  );
}
