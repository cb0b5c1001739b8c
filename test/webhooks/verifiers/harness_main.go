package main

import (
	"fmt"
	"os"
)

// Feeds one delivered webhook to the API reference's Go verifier. The reference snippet has no
// package clause: the test writes "package main" followed by seed_verify.go.txt (unchanged)
// and this file into a temporary module and runs it.
func main() {
	payload, err := os.ReadFile(os.Getenv("PV_BODY_FILE"))
	if err != nil {
		panic(err)
	}
	if VerifySignature(payload, os.Getenv("PV_SIGNATURE"), os.Getenv("PV_SECRET")) {
		fmt.Print("true")
	} else {
		fmt.Print("false")
	}
}
