#!/usr/bin/env bash
# Installs code-server (a real VS Code: server + web workbench) from the npm registry into a cache
# folder outside the repository, and prints that folder. Reused when the version matches.
# Why not a plain `npm install code-server`: see shared/notes/REAL_VSCODE.md. Its postinstall refuses
# root, the kerberos addon needs libkrb5-dev, and @vscode/ripgrep downloads a binary from the internet.
# Debian's ripgrep replaces that binary. Needs the Debian packages ripgrep and libkrb5-dev.
set -euo pipefail

version=${CODE_SERVER_VERSION:-4.100.3}
cache=${GENOS_TEST_CACHE:-$HOME/.cache/genos-vscode-test}
dest=$cache/code-server-$version

if [ -f "$dest/.complete" ]; then
  echo "$dest"
  exit 0
fi

command -v rg >/dev/null || { echo "installCodeServer: 'rg' not found (apt-get install ripgrep)" >&2; exit 1; }

work=$dest.partial
rm -rf "$work" "$dest"
mkdir -p "$work"
cd "$work"
{
  npm pack "code-server@$version" --silent
  tar xzf "code-server-$version.tgz" --strip-components=1
  rm "code-server-$version.tgz"
  npm install --omit=dev --ignore-scripts --no-audit --no-fund
  npm rebuild argon2

  cd lib/vscode
  npm install --omit=dev --ignore-scripts --no-audit --no-fund
  mkdir -p node_modules/@vscode/ripgrep/bin
  ln -sf "$(command -v rg)" node_modules/@vscode/ripgrep/bin/rg
  npm_config_yes=true npm rebuild @vscode/spdlog node-pty @parcel/watcher kerberos native-watchdog @vscode/deviceid
  ln -sfn node_modules node_modules.asar
  (cd bin/remote-cli && ln -sf code-linux.sh code-server)
  (cd bin/helpers && ln -sf browser-linux.sh browser.sh)
  (cd extensions && npm install --omit=dev --ignore-scripts --no-audit --no-fund)
} >&2

touch "$work/.complete"
mv "$work" "$dest"
echo "$dest"
