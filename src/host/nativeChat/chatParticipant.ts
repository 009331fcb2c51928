/**
 * `@genos` in VS Code's chat: `/explain` explains the editor's selection and `/ask` (or no
 * command) answers a question, with the panel's prompts and the model picked in the chat. A GenOS
 * model goes through the same turn pipeline as the panel (fitted into its window); another
 * vendor's model is asked through VS Code's language model API.
 */
import * as vscode from 'vscode';
import { activeFiles, rulesFor } from '../context/rules';
import { describeError, describeRetryWait, errorActions, type ErrorAction } from '../../client/errorMessages';
import { actionLabel } from '../connection/errorUi';
import {
  buildMessages,
  explainQuestion,
  selectionContext,
  selectionLabel,
  type ContextBlock,
  type HistoryTurn,
} from '../../client/prompts';
import { ImageLinks, imagesAsLinks } from '../../shared/imageLinks';
import { readSelection } from '../context/selection';
import { t } from '../base/l10n';
import { VENDOR } from './lmApi';
import { requestSettings, type RequestSettings } from '../connection/settings';
import { replyOf, type RequestPath } from '../requests/requestPath';

/** What `request.model` carries on VS Code 1.95+ (absent before). */
interface PickedModel {
  vendor: string;
  id: string;
  sendRequest(
    messages: vscode.LanguageModelChatMessage[],
    options: object,
    token: vscode.CancellationToken,
  ): Thenable<{ text: AsyncIterable<string> }>;
}

/** The commands behind the next steps an error offers; a retry is the chat's own. */
const ACTION_BUTTONS: Partial<Record<ErrorAction, { command: string; arguments?: unknown[] }>> = {
  setToken: { command: 'genos.setToken' },
  openSettings: { command: 'workbench.action.openSettings', arguments: ['@ext:genos.genos-vscode'] },
  selectModel: { command: 'genos.selectModel' },
  showLog: { command: 'genos.showLog' },
};

/** The exchanges of this participant so far, as the panel's history. */
function historyOf(context: vscode.ChatContext): HistoryTurn[] {
  const turns: HistoryTurn[] = [];
  for (const turn of context.history) {
    if (turn instanceof vscode.ChatRequestTurn) {
      turns.push({ question: turn.prompt, context: [], answer: '' });
    } else if (turn instanceof vscode.ChatResponseTurn && turns.length > 0) {
      const answer = turn.response
        .map((part) => (part instanceof vscode.ChatResponseMarkdownPart ? part.value.value : ''))
        .join('');
      turns[turns.length - 1].answer = answer;
    }
  }
  return turns.filter((turn) => turn.answer);
}

export class GenosParticipant {
  constructor(private readonly requests: RequestPath) {}

  readonly handle = async (
    request: vscode.ChatRequest,
    context: vscode.ChatContext,
    response: vscode.ChatResponseStream,
    token: vscode.CancellationToken,
  ): Promise<vscode.ChatResult> => {
    let question = request.prompt.trim();
    let attached: ContextBlock[] = [];
    if (request.command === 'explain') {
      const editor = vscode.window.activeTextEditor;
      if (!editor || editor.selection.isEmpty) {
        response.markdown(t('Select some code in an editor first.'));
        return {};
      }
      const selection = readSelection(editor);
      attached = selectionContext(selection);
      response.reference(new vscode.Location(editor.document.uri, editor.selection));
      const explain = explainQuestion(selection, t);
      question = question ? `${explain}\n\n${question}` : explain;
      response.progress(t('GenOS is explaining {0}…', selectionLabel(selection)));
    } else if (!question) {
      response.markdown(t('Ask a question after @genos, or use /explain with code selected.'));
      return {};
    }
    const history = historyOf(context);
    const picked = (request as unknown as { model?: PickedModel }).model;
    if (picked && picked.vendor !== VENDOR) {
      return this.viaLanguageModel(picked, history, question, attached, response, token);
    }

    // VS Code's chat loads images from markdown: each is shown as a link instead.
    const links = new ImageLinks();
    // The team's rules, for the file in the editor, as in the panel.
    const { rules } = await rulesFor(activeFiles());
    const prompt = (settings: RequestSettings) => ({
      system: settings.systemPrompt,
      rules,
      history,
      question,
      context: attached,
    });
    const result = await this.requests.run({ token, model: picked?.id, prompt }, (event) => {
      if (event.type === 'content') response.markdown(links.push(event.text));
      else if (event.type === 'retryWait') response.progress(describeRetryWait(event.wait, t));
    });
    const rest = links.end();
    if (rest) response.markdown(rest);
    // Nothing in the answer field: what the model said is in its reasoning.
    if (!result.answer && replyOf(result)) response.markdown(imagesAsLinks(replyOf(result)));
    if (result.status === 'error' && result.error) {
      // The panel's next steps, as buttons under the answer (a 401 offers Set Access Token).
      for (const action of errorActions(result.error)) {
        const button = ACTION_BUTTONS[action];
        if (button) response.button({ title: actionLabel(action), ...button });
      }
      return { errorDetails: { message: describeError(result.error, t) } };
    }
    return {};
  };

  /** Another vendor's model, picked in the chat: the same prompt, through VS Code's API. */
  private async viaLanguageModel(
    model: PickedModel,
    history: HistoryTurn[],
    question: string,
    attached: ContextBlock[],
    response: vscode.ChatResponseStream,
    token: vscode.CancellationToken,
  ): Promise<vscode.ChatResult> {
    const messages = buildMessages(requestSettings().systemPrompt, history, question, attached).map((message) =>
      message.role === 'assistant'
        ? vscode.LanguageModelChatMessage.Assistant(message.content)
        : vscode.LanguageModelChatMessage.User(message.content),
    );
    try {
      const answer = await model.sendRequest(messages, {}, token);
      const links = new ImageLinks();
      for await (const fragment of answer.text) response.markdown(links.push(fragment));
      response.markdown(links.end());
      return {};
    } catch (error) {
      if (token.isCancellationRequested) return {};
      return { errorDetails: { message: error instanceof Error ? error.message : String(error) } };
    }
  }
}
