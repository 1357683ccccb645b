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

// readSAMConfig reads the stack_name and region that "sam deploy" would
// use from the samconfig.toml at path: those of [default.deploy.parameters],
// else of [default.global.parameters]. A missing file gives zero values; a
// file that is not TOML, or whose values are not strings, is an error.
func readSAMConfig(path string) (samDefaults, error) {
	type parameters struct {
		Parameters samDefaults `toml:"parameters"`
	}
	var c struct {
		Default struct {
			Global parameters `toml:"global"`
			Deploy parameters `toml:"deploy"`
		} `toml:"default"`
	}
	_, err := toml.DecodeFile(path, &c)
	if errors.Is(err, fs.ErrNotExist) {
		return samDefaults{}, nil
	}
	if err != nil {
		return samDefaults{}, fmt.Errorf("reading %s: %w", path, err)
	}
	global, deploy := c.Default.Global.Parameters, c.Default.Deploy.Parameters
	if deploy.StackName == "" {
		deploy.StackName = global.StackName
	}
	if deploy.Region == "" {
		deploy.Region = global.Region
	}
	return deploy, nil
}
