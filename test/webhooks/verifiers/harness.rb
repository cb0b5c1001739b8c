# Feeds one delivered webhook to the API reference's Ruby verifier (seed_verify.rb, unchanged)
# through a Rails-like request: headers hash, body IO.
require 'stringio'
require 'active_support'
require 'active_support/security_utils'
require_relative 'seed_verify'

Request = Struct.new(:headers, :body)
req = Request.new({ 'PhoneVoice-Signature' => ENV.fetch('PV_SIGNATURE') }, StringIO.new(File.binread(ENV.fetch('PV_BODY_FILE'))))
print(verify_webhook(req, ENV.fetch('PV_SECRET')) ? 'true' : 'false')
