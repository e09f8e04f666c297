// The default weights file, bundled as an asset: vite.config.ts aliases this name to it.
declare module "microexp:default-weights" {
  const url: string;
  export default url;
}
