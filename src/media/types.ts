/** The media seam lives on the ground floor (src/domain) so the agent can name it; re-exported here. */
export type { MediaSession, MediaStats } from '../domain/media.js';
