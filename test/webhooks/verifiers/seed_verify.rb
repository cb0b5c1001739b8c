require 'openssl'

def verify_webhook(request, secret)
  signature_header = request.headers['PhoneVoice-Signature']
  timestamp = signature_header.split(',').first.split('=').last
  signature = signature_header.split(',').last.split('=').last

  payload = "#{timestamp}.#{request.body.read}"
  computed_signature = OpenSSL::HMAC.hexdigest(
    OpenSSL::Digest.new('sha256'), 
    secret, 
    payload
  )

  ActiveSupport::SecurityUtils.secure_compare(signature, computed_signature)
end
