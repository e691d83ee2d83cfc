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

	quietSDKLogs()
	err := providerserver.Serve(context.Background(), provider.New(version), providerserver.ServeOpts{
		Address:         address,
		Debug:           debug,
		ProtocolVersion: 6,
	})
	if err != nil {
		log.Fatal(err)
	}
}

// quietSDKLogs turns the plugin SDK's trace logging off when the user asked Terraform
// for no logs: encoding those lines costs a fifth of the provider's CPU and Terraform
// throws them away (tools/bench/RESULTS.md). Asking for logs (TF_LOG, TF_LOG_PROVIDER,
// TF_LOG_PATH) or setting the SDK's own variables keeps them.
func quietSDKLogs() {
	for _, k := range []string{"TF_LOG", "TF_LOG_PROVIDER", "TF_LOG_PATH"} {
		if os.Getenv(k) != "" {
			return
		}
	}
	for _, k := range []string{"TF_LOG_SDK", "TF_LOG_SDK_PROTO", "TF_LOG_SDK_FRAMEWORK"} {
		if os.Getenv(k) == "" {
			_ = os.Setenv(k, "off")
		}
	}
}
