import type { WebviewStrings } from '../../shared/protocol';
import { actionLabel } from '../connection/errorUi';
import { t } from '../base/l10n';

/** The user-facing strings of the webview, in the user's language. */
export function webviewStrings(): WebviewStrings {
  return {
    placeholder: t('Ask GenOS… (Enter to send, Shift+Enter for a new line)'),
    send: t('Send'),
    stop: t('Stop'),
    history: t('History'),
    attachSelection: t('+ Selection'),
    attachFile: t('+ File'),
    removeContext: t('Remove'),
    thinking: t('Thinking'),
    noSeparateAnswer: t('The model gave no separate answer; its thinking is shown above.'),
    stopped: t('Stopped. The text received so far is kept.'),
    copy: t('Copy'),
    copied: t('Copied'),
    insert: t('Insert'),
    replaceSelection: t('Replace Selection'),
    tokens: t('{0} prompt + {1} answer tokens'),
    modelLabel: t('Model'),
    chooseModel: t('Choose the model'),
    noModel: t('the serving default'),
    emptyTitle: t('Ask your GenOS model'),
    emptyHint: t('Questions and code go only to the GenOS serving in your settings.'),
    historyEmpty: t('No saved conversations yet.'),
    delete: t('Delete'),
    close: t('Close'),
    you: t('You'),
    assistant: t('GenOS'),
    actions: {
      setToken: actionLabel('setToken'),
      openSettings: actionLabel('openSettings'),
      selectModel: actionLabel('selectModel'),
      retry: actionLabel('retry'),
      retryLessContext: actionLabel('retryLessContext'),
      showLog: actionLabel('showLog'),
      continue: t('Continue'),
    },
    gauge: t('Context: {0} of {1} tokens'),
    gaugeUnknown: t('Context: {0} tokens'),
    gaugeOmittedOne: t('1 earlier turn left out'),
    gaugeOmitted: t('{0} earlier turns left out'),
    cutOff: t('The answer stopped at the length limit.'),
    mentions: {
      files: t('@file: files from the workspace…'),
      selection: t('@selection: the selected code'),
      file: t('@current: the current file'),
      problems: t('@problems: problems in the current file'),
      workspaceProblems: t('@workspace-problems: problems in the workspace'),
      editors: t('@editors: what the visible editors show'),
      terminal: t('@terminal: the last terminal command and its output'),
    },
  };
}
