// Why this shim exists: Swift reaches libpng (1.6) through it.
//
// Writing uses libpng's simplified API (png_image_write_to_memory), which
// catches libpng's internal longjmp itself. Reading cannot: the simplified API
// converts 16-bit and alpha images in linear light, so stored values come back
// shifted (a 16-bit 32768 reads as 0.73, not 0.5). The classic API reads the
// stored samples, but reports errors by longjmp to a setjmp in its caller,
// which Swift cannot do. nabla_png_decode below is that caller: setjmp, error
// and read callbacks all stay in C, so no Swift frame is ever jumped over.
#ifndef NABLA_CPNG_SHIM_H
#define NABLA_CPNG_SHIM_H

#include <png.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/// PNG bytes in memory, a read position, and libpng's error text.
typedef struct {
    const unsigned char *data;
    size_t size;
    size_t position;
    char message[256];
} nabla_png_source;

/// An image after nabla_png_decode's transformations: 8 or 16 bits per sample
/// (16-bit samples in host order), 1 (gray), 2 (gray, alpha), 3 (RGB) or 4 (RGBA) channels.
typedef struct {
    uint32_t width;
    uint32_t height;
    int bit_depth;
    int channels;
    size_t row_bytes;
} nabla_png_layout;

static void nabla_png_error(png_structp png, png_const_charp text) {
    nabla_png_source *source = (nabla_png_source *)png_get_error_ptr(png);
    snprintf(source->message, sizeof source->message, "%s", text);
    png_longjmp(png, 1);
}

static void nabla_png_warning(png_structp png, png_const_charp text) {
    (void)png;
    (void)text;
}

static void nabla_png_read(png_structp png, png_bytep out, size_t count) {
    nabla_png_source *source = (nabla_png_source *)png_get_io_ptr(png);
    if (source->size - source->position < count) {
        png_error(png, "truncated PNG data: the file ends inside a chunk");
    }
    memcpy(out, source->data + source->position, count);
    source->position += count;
}

/// Decodes `source` into `pixels` (rows of layout->row_bytes, top to bottom), or,
/// when `pixels` is NULL, only fills `layout`. Palettes become RGB, gray below 8
/// bits becomes 8-bit, tRNS becomes an alpha channel; no gamma or colour
/// conversion is applied. Images wider or taller than the limits are refused
/// by libpng before anything is allocated. Returns 1, or 0 with source->message set.
static int nabla_png_decode(nabla_png_source *source, uint32_t max_width, uint32_t max_height,
                            nabla_png_layout *layout, unsigned char *pixels, size_t pixels_size) {
    source->position = 0;
    source->message[0] = 0;
    png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, source, nabla_png_error, nabla_png_warning);
    if (png == NULL) {
        snprintf(source->message, sizeof source->message, "libpng could not start (out of memory?)");
        return 0;
    }
    png_infop info = png_create_info_struct(png);
    png_bytep *volatile rows = NULL;
    if (info == NULL) {
        png_destroy_read_struct(&png, NULL, NULL);
        snprintf(source->message, sizeof source->message, "libpng could not start (out of memory?)");
        return 0;
    }
    if (setjmp(png_jmpbuf(png))) {
        free(rows);
        png_destroy_read_struct(&png, &info, NULL);
        return 0;
    }
    png_set_read_fn(png, source, nabla_png_read);
    png_set_user_limits(png, max_width, max_height);
    // Ancillary chunks (iCCP, zTXt...) inflate to at most 8 MB, so they cannot be bombs either.
    png_set_chunk_malloc_max(png, 8u << 20);
    png_read_info(png, info);
    png_set_expand(png);
    png_set_swap(png);
    png_set_interlace_handling(png);
    png_read_update_info(png, info);
    layout->width = png_get_image_width(png, info);
    layout->height = png_get_image_height(png, info);
    layout->bit_depth = png_get_bit_depth(png, info);
    layout->channels = png_get_channels(png, info);
    layout->row_bytes = png_get_rowbytes(png, info);
    if (pixels != NULL) {
        if (layout->row_bytes * layout->height != pixels_size) {
            png_error(png, "the pixel buffer does not fit the image");
        }
        rows = (png_bytep *)malloc(sizeof(png_bytep) * layout->height);
        if (rows == NULL) {
            png_error(png, "out of memory for the row pointers");
        }
        for (uint32_t y = 0; y < layout->height; y++) {
            rows[y] = pixels + (size_t)y * layout->row_bytes;
        }
        png_read_image(png, rows);
    }
    free(rows);
    png_destroy_read_struct(&png, &info, NULL);
    return 1;
}

#endif
