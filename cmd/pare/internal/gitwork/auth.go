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

// redact removes each secret (as is and URL-escaped) and the user info of
// http(s) URLs from s.
func redact(s string, secrets []string) string {
	for _, secret := range secrets {
		if secret == "" {
			continue
		}
		s = strings.ReplaceAll(s, secret, redacted)
		for _, esc := range []string{url.PathEscape(secret), url.QueryEscape(secret)} {
			if esc != secret {
				s = strings.ReplaceAll(s, esc, redacted)
			}
		}
	}
	return RedactURL(s)
}

// urlSecrets returns the credentials written into a remote URL: the
// password, or a user name long enough to be a token when there is no
// password ("https://TOKEN@host/..."). Short user names such as "git" are
// not secrets and redacting them would garble messages.
func urlSecrets(remoteURL string) []string {
	u, err := url.Parse(remoteURL)
	if err != nil || u.User == nil {
		return nil
	}
	if pw, ok := u.User.Password(); ok {
		return []string{pw}
	}
	if name := u.User.Username(); len(name) >= minTokenLen {
		return []string{name}
	}
	return nil
}

// minTokenLen is the shortest user name in a URL taken for a token.
const minTokenLen = 8

// RedactURL replaces the user information of every http(s) URL in s with
// [REDACTED], so that a remote URL with a token in it can go into a message.
func RedactURL(s string) string {
	return urlUserinfo.ReplaceAllString(s, "${1}"+redacted+"@")
}
