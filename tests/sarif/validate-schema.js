// Validates a SARIF file against the official SARIF 2.1.0 JSON schema (draft-04) with ajv.
// Usage: node validate-schema.js SCHEMA FILE; exits 1 and prints the errors when invalid.
"use strict";
const fs = require("fs");
const Ajv = require("ajv");

const [schemaPath, filePath] = process.argv.slice(2);
const schema = JSON.parse(fs.readFileSync(schemaPath, "utf8"));
const log = JSON.parse(fs.readFileSync(filePath, "utf8"));
const ajv = new Ajv({ schemaId: "id", allErrors: true, verbose: false });
ajv.addMetaSchema(require("ajv/lib/refs/json-schema-draft-04.json"));
const validate = ajv.compile(schema);
if (validate(log)) {
  console.log("valid");
} else {
  console.log(JSON.stringify(validate.errors, null, 2));
  process.exit(1);
}
