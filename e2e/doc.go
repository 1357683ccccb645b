//go:build e2e

// Package e2e runs the built Lambda binary under the AWS Lambda Runtime
// Interface Emulator and executes statemachine.asl.json with moto's Step
// Functions interpreter, against moto's S3, all on 127.0.0.1. It has no
// code of its own outside its tests; see README.md.
//
//	go test -tags e2e ./e2e/...
package e2e
