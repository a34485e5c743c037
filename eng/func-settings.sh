#!/usr/bin/env bash
# Writes functions/Mall.Functions/local.settings.json for `func start` (Azure Functions Core Tools):
# local.settings.sample.json + the WeChat sandbox's generated keys (.local/sandbox/mall.settings.json,
# written when the sandbox starts) + a hash of the dev admin password (.local/admin-password.txt).
# Run eng/run-local.sh once first (or start the sandbox yourself) so those files exist.
set -euo pipefail
cd "$(dirname "$0")/.."
node - <<'JS'
const fs = require('fs'), crypto = require('crypto');
const read = (path) => JSON.parse(fs.readFileSync(path, 'utf8'));
const sandbox = '.local/sandbox/mall.settings.json', passwordFile = '.local/admin-password.txt';
if (!fs.existsSync(sandbox)) { console.error(`${sandbox} is missing: start the WeChat sandbox (eng/run-local.sh) first.`); process.exit(1); }
if (!fs.existsSync(passwordFile)) fs.writeFileSync(passwordFile, crypto.randomBytes(12).toString('base64url'));
const password = fs.readFileSync(passwordFile, 'utf8').trim();
// Same format as PasswordHashing: pbkdf2-sha256$iterations$salt$hash (base64).
const salt = crypto.randomBytes(16), iterations = 210000;
const hash = crypto.pbkdf2Sync(Buffer.from(password, 'utf8'), salt, iterations, 32, 'sha256');
const values = { ...read('local.settings.sample.json').Values, ...read(sandbox).Values,
  Admin__Users__0__PasswordHash: `pbkdf2-sha256$${iterations}$${salt.toString('base64')}$${hash.toString('base64')}` };
fs.writeFileSync('functions/Mall.Functions/local.settings.json', JSON.stringify({ IsEncrypted: false, Values: values }, null, 2));
console.log(`Wrote functions/Mall.Functions/local.settings.json (admin password in ${passwordFile}).`);
JS
