package main

import (
	"errors"
	"fmt"
	"io/fs"

	"github.com/BurntSushi/toml"
)

// DefaultStackName is the stack start looks for when neither -stack nor
// samconfig.toml names one.
const DefaultStackName = "sumsq"

// samDefaults is what start takes from samconfig.toml: the stack name and
// the region that sam deploy uses.
type samDefaults struct {
	StackName string `toml:"stack_name"`
	Region    string `toml:"region"`
}

// samParameters are the keys of a samconfig.toml table of parameters
// that sumsq reads.
type samParameters struct {
	StackName string `toml:"stack_name"`
	Region    string `toml:"region"`
	Overrides any    `toml:"parameter_overrides"` // a string or an array of strings: see readSAMParameters
}

// decodeSAMConfig decodes the samconfig.toml at path: its
// [default.deploy.parameters] and [default.global.parameters], which
// "sam deploy" reads in that order. found is false if there is no file; a
// file that is not TOML, or whose values are not of their types, is an
// error.
func decodeSAMConfig(path string) (deploy, global samParameters, found bool, err error) {
	type table struct {
		Parameters samParameters `toml:"parameters"`
	}
	var c struct {
		Default struct {
			Global table `toml:"global"`
			Deploy table `toml:"deploy"`
		} `toml:"default"`
	}
	_, err = toml.DecodeFile(path, &c)
	if errors.Is(err, fs.ErrNotExist) {
		return deploy, global, false, nil
	}
	if err != nil {
		return deploy, global, false, fmt.Errorf("reading %s: %w", path, err)
	}
	return c.Default.Deploy.Parameters, c.Default.Global.Parameters, true, nil
}

// readSAMConfig reads the stack_name and region that "sam deploy" would
// use from the samconfig.toml at path: those of [default.deploy.parameters],
// else of [default.global.parameters]. A missing file gives zero values; a
// file that is not TOML, or whose values are not strings, is an error.
func readSAMConfig(path string) (samDefaults, error) {
	deploy, global, _, err := decodeSAMConfig(path)
	if err != nil {
		return samDefaults{}, err
	}
	d := samDefaults{StackName: deploy.StackName, Region: deploy.Region}
	if d.StackName == "" {
		d.StackName = global.StackName
	}
	if d.Region == "" {
		d.Region = global.Region
	}
	return d, nil
}
