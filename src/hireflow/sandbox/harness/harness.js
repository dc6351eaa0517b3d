// JavaScript test harness, run inside the sandbox by node (no packages).
// Reads /scratch/job.json (deleted at once), loads /scratch/solution.js, calls the entrypoint for
// each test's arguments (awaiting promises) and reports on fd 3, one JSON line each, marked with
// the run's nonce. Expected values never enter the sandbox: the app compares what comes back.
"use strict";
const fs = require("fs");

const LIMIT = 2000;
const job = JSON.parse(fs.readFileSync("/scratch/job.json", "utf8"));
fs.unlinkSync("/scratch/job.json");
const nonce = job.nonce;
const pid = process.pid;

function emit(fields) {
  fs.writeSync(3, JSON.stringify({ ...fields, nonce }) + "\n");
}

function text(error) {
  if (error instanceof Error) {
    const stack = String(error.stack || error);
    // A syntax error's stack starts with the file, line and a caret: keep those lines.
    return (error instanceof SyntaxError ? stack.split("\n").slice(0, 5).join("\n") : String(error)).slice(0, LIMIT);
  }
  return String(error).slice(0, LIMIT);
}

function finish() {
  process.exit(0); // candidate timers or sockets do not keep the run alive
}

async function main() {
  let entry;
  try {
    entry = require("/scratch/solution.js").__hireflowEntry;
  } catch (error) {
    emit({ load_error: text(error) });
    finish();
  }
  if (typeof entry !== "function") {
    emit({ load_error: `the code defines no function named ${job.entrypoint}` });
    finish();
  }
  for (let index = 0; index < job.tests.length; index++) {
    let value;
    try {
      value = entry(...job.tests[index]);
      if (value && typeof value.then === "function") value = await value;
    } catch (error) {
      if (error instanceof RangeError && /allocation failed|out of memory/i.test(error.message)) {
        emit({ memory: true }); // a Buffer or typed array beyond the data limit
        finish();
      }
      emit({ test: index, error: text(error) });
      continue;
    }
    let json;
    try {
      json = JSON.stringify(value);
    } catch (error) {
      json = undefined;
    }
    if (json === undefined) emit({ test: index, repr: String(value).slice(0, LIMIT) });
    else emit({ test: index, value: json });
  }
  emit({ done: true });
  finish();
}

main();
