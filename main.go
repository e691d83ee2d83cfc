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

	"github.com/hashicorp/terraform-plugin-framework/providerserver"

	"github.com/sslkit/terraform-provider-ssl/internal/cli"
	"github.com/sslkit/terraform-provider-ssl/internal/provider"
)

// version is set by the release build (goreleaser ldflags: -X main.version=…).
var version = "dev"

const address = "registry.terraform.io/sslkit/ssl"

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

	provider.QuietSDKLogs()
	err := providerserver.Serve(context.Background(), provider.New(version), providerserver.ServeOpts{
		Address:         address,
		Debug:           debug,
		ProtocolVersion: 6,
	})
	if err != nil {
		log.Fatal(err)
	}
}
