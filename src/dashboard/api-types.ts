import type { z } from 'zod';
import type { assistantObject } from '../api/schemas/assistant.js';
import type { callObject, toolCallObject, utteranceObject } from '../api/schemas/call.js';
import type { deliveryObject, phoneNumberObject } from '../api/schemas/resources.js';

/** The API's answers as the console reads them: the same zod schemas that document them. */
export type CallJson = z.infer<typeof callObject>;
export type UtteranceJson = z.infer<typeof utteranceObject>;
export type ToolCallJson = z.infer<typeof toolCallObject>;
export type DeliveryJson = z.infer<typeof deliveryObject>;
export type PhoneNumberJson = z.infer<typeof phoneNumberObject>;
export type AssistantJson = z.infer<typeof assistantObject> & Record<string, unknown>;
export interface ListJson<T> { object: 'list'; data: T[]; has_more: boolean }
