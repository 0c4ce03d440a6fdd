// Why this shim exists: Swift reaches Cairo (1.16, Debian's libcairo2-dev)
// through it. NablaPlot draws every picture with Cairo's image surface and
// writes PNG through cairo_surface_write_to_png_stream; text uses Cairo's
// font API, which finds DejaVu Sans (fonts-dejavu-core) through fontconfig.
#ifndef NABLA_CCAIRO_SHIM_H
#define NABLA_CCAIRO_SHIM_H

#include <cairo.h>

#endif
