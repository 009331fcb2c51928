/**
 * The chat panel's Content Security Policy: nothing loads or runs but the extension's own script
 * (by nonce), styles and fonts, and images from the extension or inline data. Shared by the panel
 * and the webview tests, which run the panel under it. No `vscode`, no DOM.
 */
export function panelCsp(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `style-src ${cspSource}`,
    `script-src 'nonce-${nonce}'`,
    `img-src ${cspSource} data:`,
    `font-src ${cspSource}`,
  ].join('; ');
}
