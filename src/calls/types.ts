/** The call vocabulary lives on the ground floor (src/domain); re-exported here for existing imports. */
export * from '../domain/call.js';
