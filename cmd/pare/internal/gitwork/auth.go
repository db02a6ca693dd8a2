package gitwork

import (
	"errors"
	"net/url"
	"regexp"
	"strings"
)

// The environment variables that carry a token to one git child process.
const (
	tokenEnv    = "PARE_GIT_TOKEN"
	usernameEnv = "PARE_GIT_USERNAME"
)

// defaultUsername is the HTTP user name sent with a token when Auth has
// none: what GitHub expects for app installation tokens; personal access
// tokens accept any name. GitLab OAuth tokens need "oauth2".
const defaultUsername = "x-access-token"

// credentialHelper is an inline git credential helper that answers "get"
// with the user name and token from the child's environment and ignores
// "store" and "erase". It names the variables; it never holds the token.
const credentialHelper = `!f() { test "$1" = get || return 0; printf 'username=%s\npassword=%s\n' "$` +
	usernameEnv + `" "$` + tokenEnv + `"; }; f`

// redacted replaces a secret in text that goes into an error.
const redacted = "[REDACTED]"

// urlUserinfo matches the user[:password]@ part of an http(s) URL.
var urlUserinfo = regexp.MustCompile(`(?i)(https?://)[^/@\s'"]+@`)

// Auth is how git authenticates to an HTTP remote. The zero Auth leaves it
// to the user's own git configuration (credential helpers, SSH keys).
type Auth struct {
	Token    string // password or access token; never written anywhere
	Username string // "" = "x-access-token"
}

// validate rejects values git's credential protocol cannot carry (a newline
// would let a token inject protocol lines).
func (a Auth) validate() error {
	if strings.ContainsAny(a.Token, "\n\r\x00") {
		return errors.New("token contains a line break or NUL")
	}
	if strings.ContainsAny(a.Username, "\n\r\x00") {
		return errors.New("username contains a line break or NUL")
	}
	return nil
}

func (a Auth) username() string {
	if a.Username == "" {
		return defaultUsername
	}
	return a.Username
}

// configArgs are the -c options that make git take the token from the
// inline helper and from no configured helper.
func (a Auth) configArgs() []string {
	return []string{
		"-c", "credential.helper=",
		"-c", "credential.helper=" + credentialHelper,
	}
}

// redact removes the token (as is and URL-escaped) and the user info of
// http(s) URLs from s.
func (a Auth) redact(s string) string {
	if a.Token != "" {
		s = strings.ReplaceAll(s, a.Token, redacted)
		for _, esc := range []string{url.PathEscape(a.Token), url.QueryEscape(a.Token)} {
			if esc != a.Token {
				s = strings.ReplaceAll(s, esc, redacted)
			}
		}
	}
	return RedactURL(s)
}

// RedactURL replaces the user information of every http(s) URL in s with
// [REDACTED], so that a remote URL with a token in it can go into a message.
func RedactURL(s string) string {
	return urlUserinfo.ReplaceAllString(s, "${1}"+redacted+"@")
}
