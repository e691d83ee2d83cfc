// Command terraform-provider-ssl is the Terraform provider for SSL certificates. Started
// by Terraform it serves the provider (plugin protocol 6); run by hand it also offers
// sub-commands (see DESIGN.md, "Command line").
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"

	"github.com/sslkit/terraform-provider-ssl/internal/cli"
	"github.com/sslkit/terraform-provider-ssl/internal/provider"
)

// version is set by the release build (goreleaser ldflags: -X main.version=…).
var version = "dev"

func main() {
	if len(os.Args) > 1 {
		switch os.Args[1] {
		case "version":
			fmt.Println(version)
			return
		case "review":
			os.Exit(cli.Review(context.Background(), os.Args[2:], os.Stdout, os.Stderr, os.Getenv))
		case "serve":
			os.Exit(cli.Serve(context.Background(), os.Args[2:], os.Stdout, os.Stderr, os.Getenv))
		case "evaluate":
			os.Exit(cli.Evaluate(os.Args[2:], os.Stdout, os.Stderr))
		}
	}

	var debug bool
	flag.BoolVar(&debug, "debug", false, "run the provider with support for debuggers such as delve")
	flag.Parse()

	err := provider.Serve(version, debug)
	if err != nil {
		log.Fatal(err)
	}
}
