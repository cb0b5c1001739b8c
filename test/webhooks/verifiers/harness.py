# Feeds one delivered webhook to the API reference's Python verifier (seed_verify.py, unchanged)
# through a request object shaped like Flask's/Django's: headers mapping, raw body bytes.
import os, sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from seed_verify import verify_signature

class Request:
    def __init__(self, headers, body):
        self.headers = headers
        self.body = body

with open(os.environ['PV_BODY_FILE'], 'rb') as f:
    body = f.read()
req = Request({'PhoneVoice-Signature': os.environ['PV_SIGNATURE'], 'Content-Type': 'application/json'}, body)
sys.stdout.write('true' if verify_signature(req, os.environ['PV_SECRET']) else 'false')
