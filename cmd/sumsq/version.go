package main

import (
	"fmt"
	"io"
	"runtime/debug"
)

// cmdVersion prints the module's version and the source revision the
// command was built from, as the Go toolchain stamped them into the
// binary (see "go help buildinfo"; "go version -m FILE" prints the same).
func cmdVersion(args []string, stdout io.Writer) error {
	if len(args) > 0 {
		return usageError{"version: takes no arguments"}
	}
	_, err := fmt.Fprintln(stdout, versionLine(debug.ReadBuildInfo()))
	return err
}

// versionLine returns "sumsq VERSION (revision REV, TIME[, modified]) GO".
// A binary built by "go build" in a checkout has version "(devel)" and the
// revision; one built by "go install MODULE@VERSION" has the version and
// no revision; a test binary has neither.
func versionLine(info *debug.BuildInfo, ok bool) string {
	if !ok {
		return "sumsq (unknown version: built without module support)"
	}
	settings := map[string]string{}
	for _, s := range info.Settings {
		settings[s.Key] = s.Value
	}
	version := info.Main.Version
	if version == "" {
		version = "(unknown)"
	}
	line := "sumsq " + version
	if rev := settings["vcs.revision"]; rev != "" {
		line += " (revision " + rev
		if t := settings["vcs.time"]; t != "" {
			line += ", " + t
		}
		if settings["vcs.modified"] == "true" {
			line += ", modified"
		}
		line += ")"
	}
	return line + " " + info.GoVersion
}
