// Images from Hearth: a post's featured image as a responsive <img>. Every rendition is listed
// in `srcset` with its width, so the browser fetches the smallest that fills the column at the
// screen's density; `width` and `height` reserve the space before it arrives.

export const IMAGE_FIELDS = "url(width: 960) srcset width height alt";

// The column is 44rem (style.css); narrower screens show the image edge to edge.
const SIZES = "(max-width: 44rem) 100vw, 44rem";

export function featuredFigure(image) {
  if (!image) return null;
  const figure = document.createElement("figure");
  figure.className = "featured-image";
  const img = document.createElement("img");
  img.src = image.url;
  img.srcset = image.srcset;
  img.sizes = SIZES;
  img.width = image.width;
  img.height = image.height;
  img.alt = image.alt;
  img.decoding = "async";
  figure.append(img);
  return figure;
}
