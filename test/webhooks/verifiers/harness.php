<?php
// Feeds one delivered webhook to the API reference's PHP verifier. The reference snippet has no
// opening tag, so it is evaluated as written from seed_verify.php.txt (unchanged).
eval(file_get_contents(__DIR__ . '/seed_verify.php.txt'));
$payload = file_get_contents(getenv('PV_BODY_FILE'));
$headers = ['PhoneVoice-Signature' => getenv('PV_SIGNATURE')];
echo verifyWebhook($payload, $headers, getenv('PV_SECRET')) ? 'true' : 'false';
