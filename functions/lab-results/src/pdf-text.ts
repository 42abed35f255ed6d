import { extractText, getDocumentProxy } from "unpdf";

/** The first bytes of every PDF file. */
const MAGIC = "%PDF-";

/** Whether the bytes start with the PDF magic `%PDF-`. */
export function hasPdfMagic(bytes: Uint8Array): boolean {
  if (bytes.length < MAGIC.length) return false;
  for (let i = 0; i < MAGIC.length; i++) if (bytes[i] !== MAGIC.charCodeAt(i)) return false;
  return true;
}

/** Text of a PDF, or why it has none. */
export type PdfText = { ok: true; text: string; pages: number } | { ok: false; reason: string };

/**
 * Extracts the text of every page with unpdf (PDF.js), pages joined by newlines, lines kept.
 * A damaged, encrypted or otherwise unreadable file is an answer (`ok: false`), not an exception.
 * The bytes are handed to PDF.js, which may detach their buffer: do not use them afterwards.
 */
export async function extractPdfText(bytes: Uint8Array): Promise<PdfText> {
  let pdf: Awaited<ReturnType<typeof getDocumentProxy>> | undefined;
  try {
    pdf = await getDocumentProxy(bytes, { verbosity: 0 });
    const { text, totalPages } = await extractText(pdf, { mergePages: true });
    return { ok: true, text, pages: totalPages };
  } catch (error) {
    const name = error instanceof Error ? error.name : "Error";
    const detail = name === "PasswordException" ? "the PDF is encrypted" : "the PDF cannot be read";
    return {
      ok: false,
      reason: `${detail} (${name}: ${error instanceof Error ? error.message : String(error)})`,
    };
  } finally {
    await pdf?.loadingTask.destroy().catch(() => undefined);
  }
}
