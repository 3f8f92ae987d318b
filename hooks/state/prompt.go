package state

import "strings"

// The prompt segment: every eich run that lists an agent leaves the short
// text `eich status` would print in a file named after that agent's
// socket, so that a shell hook can show it without starting a process:
// it checks the file's time at each prompt and reads it only when it
// changed.

// promptPrefix starts the name of every prompt file.
const promptPrefix = "prompt-"

// PromptName is the file name of the segment for the agent at socket:
// "prompt-" and the socket's path with each '/' written as '%', a name a
// shell builds with its own string substitution. It is empty for a socket
// that cannot name a file.
func PromptName(socket string) string {
	name := promptPrefix + strings.ReplaceAll(socket, "/", "%")
	if socket == "" || len(name) > 255 || strings.ContainsAny(socket, "\x00\n") {
		return ""
	}
	return name
}

// WritePrompt leaves text as the segment for the agent at socket. The
// file is replaced only when the text changed, so that a shell's check of
// its time sees real changes only; it is a hint, written without fsync.
func (d *Dir) WritePrompt(socket, text string) error {
	name := PromptName(socket)
	if name == "" {
		return nil
	}
	data := []byte(text + "\n")
	if old, err := d.readPrivateMax(name, 4096); err == nil && string(old) == string(data) {
		return nil
	}
	return replaceIn(d.fd, d.Path, name, data, false)
}
