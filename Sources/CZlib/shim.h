// zlib for the receiver's gzip request bodies. A system library module rather than a Swift
// compression package: inflating a request body is one small loop over zlib's API, and the
// system library costs no extra package to fetch and compile in every clean build.
#include <zlib.h>
