// Pipeline board behaviours (imported by app.js).
export {};
