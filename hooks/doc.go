// Package hooks is eich's engine: what `eich hook pre`, `eich hook post`
// and `eich guard` run before and after an EC2 Instance Connect login, and
// the work of every other command. It looks at the ssh-agent, sorts its
// keys, keeps the ledger of EIC keys, and removes stale ones when a login
// would otherwise fail with "Too many authentication failures" (sshd
// stops after MaxAuthTries public keys, 6 by default, and ssh offers the
// agent's keys first).
//
// Every command works through one session (session.go), which opens the
// settings' state dir and the agent within the hook budget, lists and
// classifies the keys, prunes through the write-ahead log (prune.go),
// remembers what it saw, and closes. One file per command:
//
//	pre.go      Pre: before a typed EIC command line
//	post.go     Post: after it, marking the key it added when certain
//	guard.go    Guard: from ssh's config, with the exact key file
//	status.go   Status and the prompt segment's file
//	list.go     List
//	prune.go    Prune, and the removal every command shares
//	protect.go  Protect
//	log.go      Log
//	doctor.go   Doctor
//
// hookline.go words the hooks' one line; sshconfig.go asks `ssh -G` what
// a login will do. The jobs below the engine are packages of their own:
// settings (every setting, its default and its one validator), sshagent
// (the agent protocol with deadlines), cmdline (recognising EIC command
// lines), sshargs (reading ssh's arguments), proc (another process's
// arguments), keyclass (what a key is), policy (the decision and the room
// rule), state (the state dir), safefile (how every file is opened) and
// safetext (text that reaches a terminal). Nothing here prints but the
// hooks' one line: commands return data, and internal/output renders it.
package hooks
