// slipway — libyaml (Debian libyaml-dev 0.2.5): the YAML 1.1 parser whose events the YAML
// module composes into documents. Everything is called straight from Swift.
#ifndef SLIPWAY_CYAML_SHIM_H
#define SLIPWAY_CYAML_SHIM_H
#include <yaml.h>
#endif
