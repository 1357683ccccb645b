//go:build e2e

package e2e

import "syscall"

// sysProcAttr puts a server in a process group of its own, so that stopping
// it stops its children too, and has Linux kill it if the test binary dies
// without its cleanups (a -timeout panic, a crash).
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}
