// Signs one request with npm oauth-1.0a and node's crypto (RSA-SHA1), with a fixed nonce and
// timestamp, and prints {base_string, signature} as JSON. Input: JSON on stdin.
const crypto = require('crypto');
const OAuth = require('oauth-1.0a');

let input = '';
process.stdin.on('data', (d) => { input += d; });
process.stdin.on('end', () => {
  const req = JSON.parse(input);
  const oauth = OAuth({
    consumer: { key: req.consumer_key, secret: '' },
    signature_method: 'RSA-SHA1',
    hash_function(baseString, key) {
      return crypto.createSign('RSA-SHA1').update(baseString).sign(req.private_key, 'base64');
    },
  });
  oauth.getNonce = () => req.nonce;
  oauth.getTimeStamp = () => req.timestamp;
  const request = { url: req.url, method: req.method, data: req.data || {} };
  const token = req.token ? { key: req.token, secret: '' } : undefined;
  const data = oauth.authorize(request, token);
  const params = Object.assign({}, data);
  delete params.oauth_signature;
  const base = oauth.getBaseString(request, params);
  process.stdout.write(JSON.stringify({ base_string: base, signature: data.oauth_signature }));
});
