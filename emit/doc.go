// Package emit renders pare's results: IAM policy JSON, Terraform, evidence
// files, and the file names they are written under. Each renderer has the
// shape func(w io.Writer, x T) error.
//
// Strings in what emit renders come from logs and are attacker-controlled:
// every renderer escapes them for its format (Terraform "${" and "%{", JSON,
// file names). emit must never template a format by string concatenation
// where a syntax library exists (Terraform goes through hclwrite), never
// open files itself, and never import the store (usage) or a cloud SDK.
package emit
