package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/sumsq/sumsq/internal/sampledata"
)

const genHelp = `
Usage: sumsq gen [flags] DIR

Gen writes sample files DIR/random_1.log ... DIR/random_N.log: most hold one
number, a fraction (-several) hold from 2 to -numbers of them, one per line.
The same flags write the same bytes: -seed selects the data set. DIR is
created if needed; files of the same names are replaced.

Examples:

	sumsq gen /tmp/today                      # 10 files, numbers 0 to 999
	sumsq gen -seed 8 examples/today          # the repository's sample folder
	sumsq gen -n 1000 -seed 7 /tmp/data       # another, bigger data set
	sumsq gen -n 3 -digits 60 /tmp/big        # 60-digit numbers: exactness
	sumsq gen -n 5 -min -1000 -max 1000 -several 1 -numbers 100 /tmp/signed
`

func cmdGen(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("gen", genHelp, stdout)
	var o sampledata.Options
	fs.IntVar(&o.Files, "n", sampledata.DefaultFiles, "write `N` files")
	fs.Int64Var(&o.Min, "min", 0, "the smallest value, `N`")
	fs.Int64Var(&o.Max, "max", 999, "the largest value, `N`")
	fs.IntVar(&o.Digits, "digits", 0, "if positive, every value has exactly `N` digits (-min and -max are ignored)")
	fs.Float64Var(&o.Several, "several", 0.2, "the `fraction` of files that hold several numbers")
	fs.IntVar(&o.MaxNumbers, "numbers", sampledata.DefaultMaxNumbers, "a file that holds several numbers holds 2 to `N` of them")
	fs.Uint64Var(&o.Seed, "seed", 1, "`N` selects the data set")
	dirs, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(dirs) != 1 {
		return usageError{"gen: want one DIR; run 'sumsq gen -h'"}
	}
	if o.Files == 0 {
		return usageError{"gen: -n must be at least 1"}
	}
	if err := o.Validate(); err != nil {
		return usageError{"gen: " + strings.TrimPrefix(err.Error(), "sampledata: ")}
	}
	dir := dirs[0]
	files, numbers, err := sampledata.WriteDir(dir, o)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %d files (%d numbers) to %s\n", files, numbers, dir)
	return nil
}
