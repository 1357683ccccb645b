package main

import (
	"os/exec"
	"runtime/debug"
	"strings"
	"testing"
)

func TestVersionLine(t *testing.T) {
	vcs := func(kv ...string) []debug.BuildSetting {
		var s []debug.BuildSetting
		for i := 0; i < len(kv); i += 2 {
			s = append(s, debug.BuildSetting{Key: kv[i], Value: kv[i+1]})
		}
		return s
	}
	tests := []struct {
		name string
		info *debug.BuildInfo
		ok   bool
		want string
	}{
		{"go build in a checkout", &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "(devel)"},
			Settings: vcs("vcs", "git", "vcs.revision", "9fb866452833377f389fb21912ac500e7887ec1a", "vcs.time", "2026-12-06T05:10:58Z", "vcs.modified", "false")}, true,
			"sumsq (devel) (revision 9fb866452833377f389fb21912ac500e7887ec1a, 2026-12-06T05:10:58Z) go1.26.8"},
		{"uncommitted changes", &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "(devel)"},
			Settings: vcs("vcs.revision", "9fb8664", "vcs.modified", "true")}, true,
			"sumsq (devel) (revision 9fb8664, modified) go1.26.8"},
		{"go install MODULE@VERSION", &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v1.2.3"}}, true,
			"sumsq v1.2.3 go1.26.8"},
		{"a test binary", &debug.BuildInfo{GoVersion: "go1.26.8"}, true, "sumsq (unknown) go1.26.8"},
		{"no build information", nil, false, "sumsq (unknown version: built without module support)"},
	}
	for _, tt := range tests {
		if got := versionLine(tt.info, tt.ok); got != tt.want {
			t.Errorf("%s: versionLine = %q; want %q", tt.name, got, tt.want)
		}
	}
}

// sumsq version says what the Go toolchain stamped into the binary, as
// "go version -m" reads it.
func TestVersionBinary(t *testing.T) {
	bin := sumsqBinary(t)
	stdout, stderr, status := runBinary(t, nil, "version")
	out, err := exec.Command("go", "version", "-m", bin).Output()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{}
	for _, line := range strings.Split(string(out), "\n") {
		f := strings.Fields(line)
		switch {
		case len(f) >= 3 && f[0] == "mod":
			want["version"] = f[2]
		case len(f) == 2 && f[0] == "build" && strings.HasPrefix(f[1], "vcs.revision="):
			want["revision"] = strings.TrimPrefix(f[1], "vcs.revision=")
		case strings.HasPrefix(line, bin+": "):
			want["go"] = strings.TrimPrefix(line, bin+": ")
		}
	}
	if status != 0 || stderr != "" || !strings.HasPrefix(stdout, "sumsq "+want["version"]+" ") || !strings.HasSuffix(stdout, " "+want["go"]+"\n") ||
		want["revision"] != "" && !strings.Contains(stdout, "(revision "+want["revision"]) || want["revision"] == "" && strings.Contains(stdout, "revision") {
		t.Errorf("sumsq version = status %d, %q, stderr %q; want 0 and what go version -m says: %q", status, stdout, stderr, want)
	}
}
