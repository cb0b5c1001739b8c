/**
 * Answering-machine greetings by their words: on an outbound call the first thing "the caller"
 * says is checked once. Whisper gives us the words; a beep detector would need more than the
 * transcript and a recorded greeting always says one of these.
 */
const VOICEMAIL_PATTERNS = [
  /\bleave (me |us )?(a |your )?(message|name|number)\b/,
  /\bafter the (tone|beep)\b/,
  /\b(is |am |are )?(not available|unavailable)\b/,
  /\bvoice ?mail\b/,
  /\bmailbox\b/,
  /\bcan'?t (come|get) to the phone\b/,
  /\brecord (your|a) message\b/,
  /\byou(')?ve reached\b/,
];

export function soundsLikeVoicemail(text: string): boolean {
  const t = text.toLowerCase().replace(/[’]/g, "'");
  return VOICEMAIL_PATTERNS.some((p) => p.test(t));
}
