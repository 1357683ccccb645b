package main

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/sumsq/sumsq/internal/filestore"
	"github.com/sumsq/sumsq/internal/job"
)

// A store is where a target's objects are: a Storage to read them through
// and a Lister to list them with.
type store interface {
	job.Storage
	job.Lister
}

// backends are the storages a TARGET can name, by the scheme of its URL,
// SCHEME://BUCKET[/PREFIX]; a TARGET with no scheme is a local path (a
// file, a folder, "-"). Each is made once, for the first target that names
// it. A new storage is a package, and a line here.
var backends = map[string]func(ctx context.Context, r *runner) (store, error){
	"":   func(_ context.Context, r *runner) (store, error) { return &filestore.Store{Stdin: r.stdin}, nil },
	"s3": func(ctx context.Context, r *runner) (store, error) { return r.s3Store(ctx) },
}

// A target is a TARGET of sumsq run: the objects of a backend under a
// prefix, or a local path; or the objects an S3 Inventory report lists,
// when the key or path ends in ManifestName and is a report's manifest.
type target struct {
	arg            string // as given
	scheme         string // its backend's; "" for a local path
	bucket, prefix string // a local path is the prefix of no bucket

	// manifest: the key or path ends in /ManifestName (or is it), and
	// may be an S3 Inventory report's manifest: the target's objects are
	// then the report's (see runner.listing).
	manifest bool
	// report: it is one, read (set once the target is listed).
	report bool
}

// noObjects says what t matched when it matched no object.
func (t target) noObjects() string {
	switch {
	case t.report:
		return "no objects in this S3 Inventory report"
	case t.scheme != "" && t.prefix == "":
		return "no objects in this bucket"
	case t.scheme != "":
		return "no objects under this prefix" // often a typo: keys are case-sensitive
	}
	return "no regular files under this folder"
}

// ManifestName ends the key of an S3 Inventory report's manifest: S3
// delivers it as <prefix>/<source bucket>/<config>/<time>/manifest.json
// (storage-inventory-location.html), and the workflow's input
// {"manifest": "s3://..."} must end so.
const ManifestName = "manifest.json"

// isManifestName reports whether a key or path names a manifest.json.
func isManifestName(key string) bool {
	return key == ManifestName || strings.HasSuffix(key, "/"+ManifestName)
}

// parseTarget parses a TARGET of the command cmd (run, plan). A URL of a
// scheme no backend has, or of no bucket, is a usage error: it would
// otherwise be taken for a local path that does not exist ("S3:" and "gs:"
// folders).
func parseTarget(cmd, arg string) (target, error) {
	scheme, ok := urlScheme(arg)
	if !ok {
		return target{arg: arg, prefix: arg, manifest: isManifestName(filepath.ToSlash(arg))}, nil
	}
	if _, known := backends[scheme]; !known {
		for s := range backends {
			if s != "" && strings.EqualFold(s, scheme) {
				return target{}, usageError{fmt.Sprintf("%s: %s: write the scheme in lower case, %s://%s", cmd, quoteName(arg), s, arg[len(scheme+"://"):])}
			}
		}
		return target{}, usageError{fmt.Sprintf("%s: %s: a TARGET is a local path or %s, not a %s:// URL (for a local path, write ./%s)",
			cmd, quoteName(arg), strings.Join(urlForms(), " or "), scheme, arg)}
	}
	bucket, prefix, _ := strings.Cut(arg[len(scheme+"://"):], "/")
	if bucket == "" {
		return target{}, usageError{cmd + ": no bucket in " + arg}
	}
	return target{arg: arg, scheme: scheme, bucket: bucket, prefix: prefix, manifest: isManifestName(prefix)}, nil
}

// urlForms returns the URLs a TARGET may be, SCHEME://BUCKET/PREFIX for
// each backend's scheme, in order.
func urlForms() []string {
	var forms []string
	for s := range backends {
		if s != "" {
			forms = append(forms, s+"://BUCKET/PREFIX")
		}
	}
	slices.Sort(forms)
	return forms
}

// urlScheme returns the scheme of a target that starts as a URL does,
// SCHEME:// (RFC 3986: a letter, then letters, digits, "+", "-" or ".").
func urlScheme(t string) (string, bool) {
	scheme, _, ok := strings.Cut(t, "://")
	if !ok || scheme == "" {
		return "", false
	}
	for i, c := range scheme {
		letter := 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
		if !letter && (i == 0 || !('0' <= c && c <= '9' || c == '+' || c == '-' || c == '.')) {
			return "", false
		}
	}
	return scheme, true
}

// A backend is a store opened for a run, and the Summer that reads it.
type backend struct {
	store  store
	summer *job.Summer
}

// backend returns the run's backend of scheme, made the first time.
func (r *runner) backend(ctx context.Context, scheme string) (*backend, error) {
	if b := r.backends[scheme]; b != nil {
		return b, nil
	}
	st, err := backends[scheme](ctx, r)
	if err != nil {
		return nil, err
	}
	b := &backend{store: st, summer: r.newSummer(st)}
	if r.backends == nil {
		r.backends = make(map[string]*backend)
	}
	r.backends[scheme] = b
	return b, nil
}
