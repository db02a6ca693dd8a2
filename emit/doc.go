// Package emit renders pare's results: IAM policy JSON, Terraform, evidence
// files, and the file names they are written under. Each renderer has the
// shape func(w io.Writer, x T) error.
//
// Strings in what emit renders come from logs and are attacker-controlled:
// every renderer escapes them for its format (Terraform "${" and "%{", JSON,
// file names). No renderer silently changes what it renders: a string that
// is not valid UTF-8 is an error in every renderer (encoding/json and HCL
// would replace its bytes), and Terraform also refuses strings that are not
// in Unicode normal form C, which Terraform would normalize. JSON output
// escapes every invisible rune (bidirectional overrides, zero-width and
// control characters) so a reviewer sees what a policy grants. emit must never template a format by string concatenation
// where a syntax library exists (Terraform goes through hclwrite), never
// open files itself, and never import the store (usage) or a cloud SDK.
package emit
