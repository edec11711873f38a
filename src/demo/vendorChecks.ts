/**
 * Every check a vendor makes on a request before it answers, in one place per API: the model
 * parameter, the parameter rules of the model's family, the tools and their history, and (for the
 * Responses API) the input items and `previous_response_id`. The first refusal wins, in the vendor's
 * envelope and wording; none means the request goes on to its fault behaviour.
 */

import { checkMessagesRequest } from './anthropicRules';
import type { ParsedRequest } from './faultRequests';
import { type ErrorAnswer } from './faultResponses';
import { invalidRequestError } from './faultErrors';
import { checkToolRequest } from './faultToolChecks';
import { checkChatParameters, checkResponsesParameters } from './openAiRules';
import { checkResponsesInput, type EarlierCalls } from './responsesInput';

type JsonObject = Record<string, unknown>;

export interface CheckContext {
  readonly now: number;
  /** The calls of the stored response `previous_response_id` names; undefined when it names none we keep. */
  readonly earlierCalls?: EarlierCalls;
  /** Ids of output items the upstream stored (Responses input may name them). */
  readonly storedItems?: ReadonlySet<string>;
}

export function vendorRefusal(
  json: JsonObject,
  request: ParsedRequest,
  context: CheckContext,
): ErrorAnswer | undefined {
  const missingModel = checkModelParameter(request);
  if (missingModel) return missingModel;
  switch (request.api) {
    case 'chat':
      return (
        checkChatParameters(request.vendor, json, request.model) ?? checkToolRequest(request.vendor, json)
      );
    case 'messages':
      return checkMessagesRequest(json, request, context.now) ?? checkToolRequest('anthropic', json);
    case 'responses': {
      const parameters = checkResponsesParameters(json, request.model);
      if (parameters) return parameters;
      const previous = request.params.previousResponseId;
      if (previous !== undefined && context.earlierCalls === undefined) {
        // A response kept with `store: false`, or never made, cannot be continued.
        return invalidRequestError(
          'openai',
          `Previous response with id '${previous}' not found.`,
          'previous_response_id',
          'previous_response_not_found',
        );
      }
      return checkResponsesInput(json, context.earlierCalls, context.storedItems);
    }
  }
}

function checkModelParameter(request: ParsedRequest): ErrorAnswer | undefined {
  if (request.model) return undefined;
  if (request.vendor === 'anthropic') return invalidRequestError('anthropic', 'model: Field required');
  // Azure names the model in the path, so only OpenAI's own routes get here without one.
  return invalidRequestError(request.vendor, 'You must provide a model parameter.');
}
