import type { AnswerDocuments } from '../answerDocuments';
import type { RunOptions } from '../runOptions';
import { answerFooter, errorFooter } from './answerFooter';
import type { AnswerSink } from './answerSink';

/**
 * An answer streamed into a read-only Markdown document beside the editor
 * (`llmManager.answers.view: "document"`), as before the answer view existed.
 */
export async function openDocumentAnswer(
  documents: AnswerDocuments,
  options: RunOptions,
): Promise<AnswerSink> {
  const header = `# ${options.title}\n\n${options.subtitle ? `${options.subtitle}\n\n` : ''}`;
  const uri = documents.create(options.title, `${header}_Waiting for the chain…_\n`);
  await documents.show(uri);
  let streamed = '';
  return {
    inView: false,
    document: uri.toString(),
    append(text) {
      streamed += text;
      documents.set(uri, `${header}${streamed}`);
    },
    finish(result) {
      documents.set(uri, `${header}${result.text}\n\n---\n${answerFooter(result)}\n`);
      documents.flush();
    },
    fail(error, partial) {
      documents.set(uri, `${header}${partial}${partial ? '\n\n---\n' : ''}${errorFooter(error)}\n`);
      documents.flush();
    },
  };
}
