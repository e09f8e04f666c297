/** OpenCV's cvRound: nearest integer, ties to even. */
export { roundHalfEven as cvRound } from "@microexp/infer";
