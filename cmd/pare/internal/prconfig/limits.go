package prconfig

import (
	"fmt"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// HCL's parser recurses once per nesting level, per prefix operator and per
// splat, and stops only when the Go stack is exhausted (a fatal error, not
// a panic), which a crafted file of a few hundred kilobytes reaches. A
// pare.hcl is data of a few kilobytes nested a few levels, without
// operators: its size, nesting and chains of operators and splats are
// bounded before HCL parses it.
const (
	maxFileBytes = 256 << 10
	maxNesting   = 32
)

// opens and closes are the tokens that nest: brackets, braces, parentheses,
// strings, heredocs and template sequences.
var (
	opens = map[hclsyntax.TokenType]bool{
		hclsyntax.TokenOBrace: true, hclsyntax.TokenOBrack: true, hclsyntax.TokenOParen: true,
		hclsyntax.TokenOQuote: true, hclsyntax.TokenOHeredoc: true,
		hclsyntax.TokenTemplateInterp: true, hclsyntax.TokenTemplateControl: true,
	}
	closes = map[hclsyntax.TokenType]bool{
		hclsyntax.TokenCBrace: true, hclsyntax.TokenCBrack: true, hclsyntax.TokenCParen: true,
		hclsyntax.TokenCQuote: true, hclsyntax.TokenCHeredoc: true, hclsyntax.TokenTemplateSeqEnd: true,
	}
)

// chained are prefix operators and splat stars, which HCL parses one
// recursion each when they follow each other; links are the tokens that
// can stand between them in such a chain.
var (
	chained = map[hclsyntax.TokenType]bool{
		hclsyntax.TokenMinus: true, hclsyntax.TokenBang: true, hclsyntax.TokenStar: true,
	}
	links = map[hclsyntax.TokenType]bool{
		hclsyntax.TokenOBrack: true, hclsyntax.TokenCBrack: true, hclsyntax.TokenDot: true,
		hclsyntax.TokenNewline: true, hclsyntax.TokenComment: true,
	}
)

// checkLimits reports a file too large, nested too deeply or with chains
// too long to parse safely, or nil. The lexer it uses does not recurse.
func checkLimits(filename string, src []byte) *hcl.Diagnostic {
	if len(src) > maxFileBytes {
		return &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "File too large",
			Detail:   fmt.Sprintf("a pare configuration is at most %d bytes; this one has %d", maxFileBytes, len(src)),
			Subject:  &hcl.Range{Filename: filename, Start: hcl.InitialPos, End: hcl.InitialPos},
		}
	}
	// HCL parses the tokens seen here, so the checks hold even where a
	// syntax error makes them differ from what the author meant.
	tokens, _ := hclsyntax.LexConfig(src, filename, hcl.InitialPos)
	depth, run, splats := 0, 0, 0
	for i, t := range tokens {
		switch {
		case chained[t.Type]:
			run++
		case !links[t.Type]:
			run = 0
		}
		if t.Type == hclsyntax.TokenStar && i > 0 && (tokens[i-1].Type == hclsyntax.TokenOBrack || tokens[i-1].Type == hclsyntax.TokenDot) {
			splats++
		}
		if run > maxNesting || splats > maxNesting {
			return &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Expression too complex",
				Detail:   fmt.Sprintf("a pare configuration holds values; it chains at most %d operators and has at most %d splats", maxNesting, maxNesting),
				Subject:  t.Range.Ptr(),
			}
		}
		switch {
		case opens[t.Type]:
			depth++
			if depth > maxNesting {
				return &hcl.Diagnostic{
					Severity: hcl.DiagError,
					Summary:  "Nested too deeply",
					Detail:   fmt.Sprintf("brackets, braces, strings and templates nest at most %d deep in a pare configuration", maxNesting),
					Subject:  t.Range.Ptr(),
				}
			}
		case closes[t.Type] && depth > 0:
			depth--
		}
	}
	return nil
}
