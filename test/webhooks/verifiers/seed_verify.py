import hmac
import hashlib
import json

def verify_signature(request, secret):
    signature_header = request.headers.get('PhoneVoice-Signature')
    timestamp, signature = [p.split('=')[1] for p in signature_header.split(',')]
    
    payload = f"{timestamp}.{request.body.decode('utf-8')}"
    computed_signature = hmac.new(
        key=secret.encode('utf-8'),
        msg=payload.encode('utf-8'),
        digestmod=hashlib.sha256
    ).hexdigest()
    
    return hmac.compare_digest(signature, computed_signature)
