//go:build e2e && !linux

package e2e

import "syscall"

// sysProcAttr puts a server in a process group of its own, so that stopping
// it stops its children too.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true}
}
